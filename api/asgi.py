"""The ASGI entry point for uvicorn workers: settings come from the environment.

Blocking handlers run in a thread pool; commands queue there for the group-commit
writer, so the pool's size bounds how many commit together (the default is cpus + 4).
"""

from concurrent.futures import ThreadPoolExecutor

from litestar.concurrency import set_asyncio_executor

from api.app import create_app

set_asyncio_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="handler"))
app = create_app()
