"""Healthy when the worker's loop has turned in the last minute (a file that merely exists would
stay 'healthy' after the loop hung)."""
import os
import sys
import time

try:
    sys.exit(0 if time.time() - os.stat("/tmp/worker-alive").st_mtime < 60 else 1)
except FileNotFoundError:
    sys.exit(1)
