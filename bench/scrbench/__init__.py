"""The scrcc benchmark (bench/run.py): what SCR costs and gains."""
