/**
 * The one stop rule for walking MASV's v1.1 lists (`page` + `limit`, `metadata.total`): Return
 * All / Limit of the declarative lists, the trigger's package lists and the list searches.
 *
 * MASV's page base is uncertain (docs/masv-api.md §18.2): a server that counts from 1 where the node
 * starts at 0 answers page 1 like page 0. So a record seen before is not returned again, one page
 * with nothing new is passed over (the list may go on after it), and a second such page in a row
 * means the server ignores `page`, which ends the walk. A short page, `metadata.total` records
 * read, or `maxPages` pages read end it too. A record without an ID is returned, but it is no news:
 * pages of nothing but such records cannot keep a walk going.
 */
export class PageWalk<T> {
	private readonly seen = new Set<string>();
	private read = 0;
	private pages = 0;
	private pagesWithoutNews = 0;

	constructor(
		private readonly pageSize: number,
		private readonly idOf: (record: T) => unknown,
		private readonly maxPages = Infinity,
	) {}

	/**
	 * Takes the page just read (its records and its `metadata.total`) and returns the records no
	 * earlier page returned (a record without an ID is always returned), and whether to read the
	 * next page.
	 */
	page(records: T[], total: number | undefined): { fresh: T[]; more: boolean } {
		this.pages++;
		let news = 0;
		const fresh = records.filter((record) => {
			const id = this.idOf(record);
			if (id === undefined || id === null || id === '') return true;
			const key = String(id);
			if (this.seen.has(key)) return false;
			this.seen.add(key);
			news++;
			return true;
		});
		this.read += fresh.length;
		this.pagesWithoutNews = news === 0 ? this.pagesWithoutNews + 1 : 0;
		const more =
			records.length >= this.pageSize &&
			(total === undefined || this.read < total) &&
			this.pagesWithoutNews < 2 &&
			this.pages < this.maxPages;
		return { fresh, more };
	}
}
