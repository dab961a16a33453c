"""The plan's pure date logic: reporting periods. Below storage, so every layer can use it."""
