"""Delegation: the pipeline that hands a routed task to a worker and reviews what comes back.

Built so far: the worker adapters (`baton.delegation.workers`). The task itself is data in
`baton.task`; who gets it is decided by `baton.routing`.
"""
