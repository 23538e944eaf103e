"""Voice Coach: an offline, hands-free voice coach for couples.

The data flow, one module per stage:
microphone -> endpointing -> recognition -> intent -> dialog/session -> synthesis -> speaker,
wired together by `assistant`.
"""

__version__ = "0.1.0"
