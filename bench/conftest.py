def pytest_configure(config):
    # The benchmarks' composition root: Prefect's settings before Prefect is imported.
    from huanjie.prefect_env import apply_prefect_defaults
    from huanjie.settings import StoreSettings

    apply_prefect_defaults(StoreSettings().data_dir)
