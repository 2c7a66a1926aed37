#!/usr/bin/env python3
"""A stand-in for the GOST R 34.10-2012 signer a region runs (CryptoPro): reads the message on
standard input and writes its signature, base64, on standard output. The tests' ЕСИА fake
checks it with the same key. Here the "signature" is HMAC-SHA256 under KEY: what is tested is
that EduQL signs exactly the message ЕСИА asks for, through the command interface.

Usage: esia_signer.py KEY            sign
       esia_signer.py --fail         exit 1 without signing
       esia_signer.py --hang         never answer (the caller's timeout is tested)
"""
import base64
import hashlib
import hmac
import sys
import time

if sys.argv[1] == "--fail":
    sys.exit(1)
if sys.argv[1] == "--hang":
    time.sleep(3600)
message = sys.stdin.buffer.read()
print(base64.b64encode(hmac.new(sys.argv[1].encode(), message, hashlib.sha256).digest()).decode())
