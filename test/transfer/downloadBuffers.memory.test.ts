import '../harness/memory-mode';

import { downloadBuffersSuite } from './downloadBuffers';

downloadBuffersSuite('default');
