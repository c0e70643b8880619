import { downloadBuffersSuite } from './downloadBuffers';

downloadBuffersSuite('filesystem');
