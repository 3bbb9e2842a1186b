"""HTTP plumbing under the routes: auth, limits, multipart parsing, errors, metrics, SSE, the server."""
