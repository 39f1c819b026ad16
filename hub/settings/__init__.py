"""Settings live in `base` (everything, from the environment), `production` and `test`."""
