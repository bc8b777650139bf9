import { createMemoryLiveState } from './index.js';
import { liveStateContract } from './contract.js';

liveStateContract('memory', (clock) => Promise.resolve(createMemoryLiveState(clock)));
