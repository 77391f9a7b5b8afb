"""A very small SVG writer: every text is escaped, every number rounded."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

FONT = "Noto Sans CJK SC, Source Han Sans SC, 黑体, sans-serif"


class Svg:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>']

    @staticmethod
    def _attrs(attrs: dict) -> str:
        return "".join(f" {k.replace('_', '-')}={quoteattr(str(round(v, 1) if isinstance(v, float) else v))}"
                       for k, v in attrs.items() if v is not None)

    def rect(self, x, y, w, h, **attrs) -> None:
        self.parts.append(f"<rect{self._attrs({'x': x, 'y': y, 'width': max(w, 0), 'height': h, **attrs})}/>")

    def line(self, x1, y1, x2, y2, **attrs) -> None:
        self.parts.append(f"<line{self._attrs({'x1': x1, 'y1': y1, 'x2': x2, 'y2': y2, **attrs})}/>")

    def path(self, d: str, **attrs) -> None:
        self.parts.append(f"<path{self._attrs({'d': d, **attrs})}/>")

    def circle(self, cx, cy, r, **attrs) -> None:
        self.parts.append(f"<circle{self._attrs({'cx': cx, 'cy': cy, 'r': r, **attrs})}/>")

    def text(self, x, y, content: str, size: int = 12, **attrs) -> None:
        attrs = {"x": x, "y": y, "font_size": size, **attrs}
        self.parts.append(f"<text{self._attrs(attrs)}>{escape(content)}</text>")

    def title(self, content: str) -> None:
        self.parts.insert(0, f"<title>{escape(content)}</title>")

    def render(self) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}" font-family={quoteattr(FONT)}>'
                + "".join(self.parts) + "</svg>\n")


def to_png(svg: str, scale: float = 1.5) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
