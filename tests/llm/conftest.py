"""The scripted model fixtures, shared with every test folder that imports them."""

from tests.llm.scripted import scripted_llm, scripted_llm_server

__all__ = ["scripted_llm", "scripted_llm_server"]
