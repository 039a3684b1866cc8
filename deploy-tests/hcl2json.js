// Parses Terraform files with HashiCorp's HCL parser (@cdktf/hcl2json, Go compiled to WebAssembly)
// and prints one JSON object {"<path>": <parsed body>} on stdout. On the first file that does not
// parse it prints "<path>: <parser message>" on stderr and exits with 1.
'use strict';
const fs = require('fs');
const { parse } = require('@cdktf/hcl2json');

async function main(files) {
  const out = {};
  for (const file of files) {
    try {
      out[file] = await parse(file, fs.readFileSync(file, 'utf8'));
    } catch (e) {
      process.stderr.write(`${file}: ${String(e && e.message ? e.message : e)}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main(process.argv.slice(2));
