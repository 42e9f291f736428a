// The store's checkpoint thread (`checkpoints: 'background'`). Run by Node itself from src/*.ts as from
// dist/*.js: tsc rewrites the specifier below to './checkpoint-loop.js'.
import { workerData } from 'node:worker_threads'
import { checkpointContinuously } from './checkpoint-loop.ts'

const { path, pragmas } = workerData as { path: string; pragmas: string }
checkpointContinuously(path, pragmas)
