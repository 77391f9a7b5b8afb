def pytest_configure(config):
    # The benchmarks' composition root: Prefect's settings before Prefect is imported.
    from huanjie.prefect_env import apply_prefect_defaults
    from huanjie.settings import StoreSettings

    apply_prefect_defaults(StoreSettings().data_dir)
    # bench_workers borrows the scale test's helpers (tests/flows/test_prefect_deployment.py)
    config.addinivalue_line("markers", "scale: the scale-out test (not run here)")
