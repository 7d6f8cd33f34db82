"""The HTTP API: Litestar controllers, msgspec Structs, auth and problem+json errors."""
