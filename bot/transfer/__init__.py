"""Spreadsheets in and out: /export, /import and files a coach sends."""
