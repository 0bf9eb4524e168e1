"""Reading what people type: words (layout, typos, slang, lemmas), the frames of the intents,
slots (classes, grades, inventory numbers, names, school subjects), genres and subjects, and the
work named inside a long message. `nlu.intents.classify` puts them together.
"""
