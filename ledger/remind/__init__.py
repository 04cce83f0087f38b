"""Reminders that arrive: what to send to whom (``messages``), how each channel formats and sends it
(``channels``), the outbox that records every message before it is sent and hands each to one
sender only (``outbox``), and the run that ties them (``run``). The wording is the workspace's
``templates/催报消息模板.md`` (``wording``)."""
