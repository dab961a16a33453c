"""The quarterly return: the plan's own table with the Area Lead progress update
column written from the period's updates, and plans imported from such a table.

`compose` builds a platform-neutral model of the return from the database; the
format writers (`docx`, `xlsx`, `csvmd`, `heatmap`) turn it into files and are
imported only when a file is wanted, so the core never loads Word, Excel or
matplotlib code just to answer a chat message.
"""
