"""The platform-neutral core: plan, conversation, commands and summaries.

Nothing here imports a chat SDK or a web framework; adapters translate.
"""
