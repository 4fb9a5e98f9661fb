"""`make bench`: Nagarik's whole stack under load, side by side with Rasa's default configuration.

    python -m benchmark [--concurrency 20 100] [--out results]

Modules: `conversations` (what the simulated citizens write), `fake_graph` (the Graph API the
assistant replies to), `stack` (the database, the action server and `rasa run` as deployed),
`load` (signed webhook deliveries and latency figures), `report` (JSON, table and plot).
"""
