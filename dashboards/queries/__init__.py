"""The dashboards' SQL: one module per page (``advantage_plus``, ``creators``, ``performance``,
``spend``, ``health``) and ``publication``, what every page asks of the published file. Each
is built on ``dashboards.reader``; the pages themselves are in ``dashboards/views/``.
"""
