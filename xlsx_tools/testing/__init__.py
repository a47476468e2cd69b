"""Support for tests, benchmarks and the bundled examples (not used by the tools
themselves): synthetic reports (synth.py) and the payload xlwings' VBA client would
send for a workbook file (payload.py, which needs openpyxl: `pip install '.[test]'`)."""
