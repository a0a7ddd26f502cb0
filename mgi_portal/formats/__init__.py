"""Number and date formats where Django's locale data does not say what we need.

Django looks here first (`FORMAT_MODULE_PATH`), then in its own locale data, so
each module sets only what it changes.
"""
