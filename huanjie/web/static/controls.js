/* Marks the page as scripted (CSS then swaps the browser's file chooser for our Chinese button) and shows
   the chosen file's name beside that button; delegated, so it also works in parts htmx swaps in. */
document.documentElement.classList.add("js");
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches(".file input[type=file]")) return;
  var shown = input.parentNode.querySelector(".file-name");
  if (!shown) return;
  shown.textContent = input.files && input.files.length ? "已选择：" + input.files[0].name : shown.dataset.empty;
});
