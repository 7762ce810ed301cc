"""Development and test tooling: the demo data (`seed_demo`, `demo_info`) and the benchmark
(`seed_bench`, `bench`). Installed by config.settings.dev and config.settings.test only, so
none of it exists in production; nothing outside this package and tests/ imports it."""
