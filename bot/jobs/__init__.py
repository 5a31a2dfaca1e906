"""arq job functions. Each runs inside `bot.jobs.lifecycle.run_job`, which owns locks, state and retries."""
