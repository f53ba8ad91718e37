"""The emulator's rules: the services, validation, synthetic answers, the task lifecycle, callbacks.

Services take a :class:`~scaleapi.emulator.rules.context.ServiceContext` and plain values and read or
write through :mod:`scaleapi.emulator.storage`; nothing here imports werkzeug.
"""
