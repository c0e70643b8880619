import { roundTripSuite } from './roundTrip';

roundTripSuite('filesystem');
