// Baseline 1: Node's ceiling. Reads the body and answers 200 without verifying anything: no receiver that
// does its job can be faster than this on the same runtime.
import { listen } from './listen.mjs'

const OK = Buffer.from('{"status":"ok"}')

listen((req, res) => {
  req.on('data', () => {})
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': OK.length })
    res.end(OK)
  })
})
