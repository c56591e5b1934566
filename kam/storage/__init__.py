"""Reading and storing exports: the contract (schema), the readers, uploads, phone masking and the
warehouse with its all-or-nothing refresh. Imports nothing else of kam."""
