"""Reading untrusted files: `sheets` runs in a child process under hard limits, `reader` starts it."""
