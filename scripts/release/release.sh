#!/usr/bin/env bash
# Makes a release: bumps the version, turns CHANGELOG.md's "Unreleased" section into the version's,
# commits, tags and pushes branch and tag together. The tag starts .github/workflows/publish.yml,
# which tests and publishes to npm with provenance: nothing is published from this machine.
#
#   npm run release -- patch|minor|major|X.Y.Z             the release
#   npm run release -- patch|minor|major|X.Y.Z --dry-run   the same in a temporary clone, offline:
#                                                           shows the commit, the tag and the
#                                                           changelog section; pushes nothing
#
#   RELEASE_BRANCH (main), RELEASE_REMOTE (origin): where releases are made from and pushed to.
#   RELEASE_CHECKS: the checks run before anything changes (default: lint, type-check, build; the
#                   publish workflow runs the whole `npm test` on the tag).
# docs/releasing.md has the whole procedure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

usage() {
	sed -n '5,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit "${1:-1}"
}
say() { echo "[release] $*"; }
fail() { echo "[release] $*" >&2; exit 1; }

dry_run=false
bump=""
for arg in "$@"; do
	case "$arg" in
		--dry-run) dry_run=true ;;
		-h | --help) usage 0 ;;
		-*) usage 1 ;;
		*) [ -z "$bump" ] || usage 1; bump="$arg" ;;
	esac
done
[ -n "$bump" ] || usage 1
branch="${RELEASE_BRANCH:-main}"
remote="${RELEASE_REMOTE:-origin}"
checks="${RELEASE_CHECKS:-npm run lint && npm run typecheck && npm run build}"

# The entries under "## Unreleased" (up to the next "## " heading), blank lines left out.
unreleased_entries() {
	awk '/^## /{ if (inside) exit; if ($0 ~ /^## Unreleased[[:space:]]*$/) { inside = 1; next } } inside && NF' "$1/CHANGELOG.md"
}

# --- What must hold before anything changes -------------------------------------------------
current="$(git rev-parse --abbrev-ref HEAD)"
[ "$current" = "$branch" ] || fail "releases are made from $branch; this is $current"
[ -z "$(git status --porcelain)" ] || fail "the working tree has uncommitted changes: commit or stash them first"
[ -n "$(unreleased_entries "$root")" ] || fail "CHANGELOG.md has nothing under \"## Unreleased\": say what this release changes first"
git remote get-url "$remote" >/dev/null 2>&1 || fail "there is no remote $remote to push the release to"
if $dry_run; then
	say "dry run: no fetch, no checks, nothing pushed (would run: $checks)"
else
	git fetch --quiet --tags "$remote" "$branch"
	[ "$(git rev-parse HEAD)" = "$(git rev-parse "$remote/$branch")" ] ||
		fail "$branch is not $remote/$branch: pull or push first, so that the release commit follows what is on $remote"
	say "checks: $checks"
	bash -c "$checks"
fi

# --- The release commit and tag (in a temporary clone for a dry run) --------------------------
work="$root"
if $dry_run; then
	work="$(mktemp -d "${TMPDIR:-/tmp}/n8n-nodes-masv-release.XXXXXX")"
	trap 'rm -rf "$work"' EXIT
	git clone --quiet --no-checkout "$root" "$work"
	git -C "$work" checkout --quiet -B "$branch" "$(git rev-parse HEAD)"
fi
cd "$work"
# An identity for the commit when git has none (a dry run on a fresh machine).
identity=()
if ! git var GIT_AUTHOR_IDENT >/dev/null 2>&1 || ! git var GIT_COMMITTER_IDENT >/dev/null 2>&1; then
	$dry_run || fail "git has no user.name/user.email to sign the release commit with"
	identity=(-c user.name="release dry run" -c user.email="dry-run@n8n-nodes-masv.invalid")
fi

npm version "$bump" --no-git-tag-version --allow-same-version --ignore-scripts >/dev/null
version="$(node -p "require('./package.json').version")"
if git rev-parse --quiet --verify "refs/tags/$version" >/dev/null; then
	git checkout --quiet -- package.json package-lock.json
	fail "the tag $version exists already"
fi
today="$(date -u +%Y-%m-%d)"
# "## Unreleased" stays on top, empty, for the next changes; its entries become the version's.
awk -v heading="## $version ($today)" '
	!done && /^## Unreleased[[:space:]]*$/ { print; print ""; print heading; done = 1; next }
	{ print }
' CHANGELOG.md >CHANGELOG.md.new
mv CHANGELOG.md.new CHANGELOG.md

git add package.json package-lock.json CHANGELOG.md
git "${identity[@]}" commit --quiet -m "Release $version"
git "${identity[@]}" tag -a "$version" -m "Release $version"

if $dry_run; then
	say "dry run: release $version, commit and tag made in $work (removed on exit)"
	git --no-pager log -1 --format='[release] commit %h %s' --stat
	echo "[release] tag $(git describe --exact-match HEAD) -> $(git rev-parse --short "$version^{commit}")"
	echo "[release] CHANGELOG.md, the new section:"
	awk -v heading="## $version ($today)" '$0 == heading { inside = 1; print; next } inside && /^## / { exit } inside { print }' CHANGELOG.md
	say "dry run: would push: git push --atomic $remote $branch $version (not pushed)"
	exit 0
fi

git push --atomic "$remote" "$branch" "$version"
say "released $version: the tag is pushed; .github/workflows/publish.yml tests and publishes it (see the repository's Actions tab)"
