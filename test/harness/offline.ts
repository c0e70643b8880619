// nock for a describe block: its requests go to nock's mocks only, and no mock is left over from
// one test for the next.
import nock from 'nock';

export function useNock(): void {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.enableNetConnect());
}
