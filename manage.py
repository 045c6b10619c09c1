#!/usr/bin/env python
from onetrip.__main__ import main

if __name__ == "__main__":
    main()
