"""The understanding benchmark: everyday messages of students, parents and librarians, each
labelled with the intent and slots it means, and how well `nlu.intents.classify` reads them
beside the classifier as it was before issue 13 (bench/understanding/baseline.py)."""
