"""The VK community bot: vk_api's calls and the Bots Long Poll (or the Callback API) in, the
core's replies out. `bot/vk/run.py` is what the root runs."""
