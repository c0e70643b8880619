import '../harness/memory-mode';

import { roundTripSuite } from './roundTrip';

roundTripSuite('default');
