// The one date converter of list filters and the one of dates written into MASV objects.
import { filterDate, isoTimestamp } from '../../nodes/Masv/shared/dates';

describe('filterDate', () => {
	it('dateTime: zoned times and DateTimes go out in UTC; local ones as written; a bare day whole', () => {
		expect(filterDate('2024-05-01T10:00:00+02:00', false, 'dateTime')).toBe('2024-05-01T08:00:00');
		expect(filterDate('2024-05-01T10:00:00.000Z', false, 'dateTime')).toBe('2024-05-01T10:00:00');
		expect(filterDate('2024-05-01T10:00', false, 'dateTime')).toBe('2024-05-01T10:00:00');
		expect(filterDate('2024-05-01 10:00:07.123', false, 'dateTime')).toBe('2024-05-01T10:00:07');
		expect(filterDate('2024-05-01', false, 'dateTime')).toBe('2024-05-01T00:00:00');
		expect(filterDate('2024-05-01', true, 'dateTime')).toBe('2024-05-01T23:59:59');
		expect(filterDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), false, 'dateTime')).toBe('2024-01-02T03:04:05');
		expect(filterDate({ toJSDate: () => new Date(Date.UTC(2024, 11, 31, 23, 0, 1)) }, false, 'dateTime')).toBe('2024-12-31T23:00:01');
	});

	it('day: only the day of the same value', () => {
		expect(filterDate('2024-05-01T10:00:00', true, 'day')).toBe('2024-05-01');
		expect(filterDate('2024-05-01T23:30:00-02:00', false, 'day')).toBe('2024-05-02');
		expect(filterDate('2024-05-01', true, 'day')).toBe('2024-05-01');
		expect(filterDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), false, 'day')).toBe('2024-01-02');
	});

	it('empty is undefined (no filter); not a date is null (the caller names the filter)', () => {
		expect(filterDate('', false, 'dateTime')).toBeUndefined();
		expect(filterDate(undefined, false, 'day')).toBeUndefined();
		expect(filterDate('not a date', false, 'dateTime')).toBeNull();
		expect(filterDate(new Date(NaN), false, 'day')).toBeNull();
	});
});

describe('isoTimestamp', () => {
	it('reads a value without a zone in the workflow time zone, one with a zone as it is', () => {
		expect(isoTimestamp('2030-01-31', 'UTC')).toBe('2030-01-31T00:00:00.000Z');
		expect(isoTimestamp('2030-01-31T18:00:00', 'Europe/Berlin')).toBe('2030-01-31T17:00:00.000Z');
		expect(isoTimestamp('2030-07-31T18:00:00', 'America/New_York')).toBe('2030-07-31T22:00:00.000Z');
		expect(isoTimestamp('2030-01-02T03:04:05.000Z', 'Asia/Tokyo')).toBe('2030-01-02T03:04:05.000Z');
		expect(isoTimestamp(new Date(Date.UTC(2030, 0, 1)), 'UTC')).toBe('2030-01-01T00:00:00.000Z');
		expect(isoTimestamp('soon', 'UTC')).toBeUndefined();
		expect(isoTimestamp({}, 'UTC')).toBeUndefined();
	});
});
