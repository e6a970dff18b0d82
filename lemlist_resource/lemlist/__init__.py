"""Talking to lemlist, for every resource: ``transport`` (HTTP, pacing, retries), ``auth``,
``ratelimit``, ``answers`` and ``listing`` (what lemlist's answers mean: the only place that
decides it) and ``redaction`` (what a message may quote)."""
