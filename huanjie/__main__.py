from huanjie.cli.main import main

main()
