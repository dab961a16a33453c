"""The terminal adapter: the embedded default, and a scriptable test harness."""
