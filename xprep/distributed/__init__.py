"""Executors that run the same chunk stages beyond one process (Ray Data: ``pip install 'xprep[ray]'``)."""
