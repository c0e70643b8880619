#!/usr/bin/env bash
# The publish workflow's first step (.github/workflows/publish.yml): refuses to publish when
#   * the pushed tag is not package.json's version,
#   * CHANGELOG.md has no section for that version,
#   * package.json's repository is not the repository the workflow runs in (npm rejects a
#     provenance statement from another repository: change the placeholder owner, see
#     docs/releasing.md),
#   * npm is older than 11.5.1, the first with trusted publishing (OIDC).
# The last two are checked only inside GitHub Actions (GITHUB_REPOSITORY is set).
#
#   bash scripts/release/check.sh TAG
set -euo pipefail
cd "$(dirname "$0")/../.."

tag="${1:?usage: check.sh TAG}"
fail() { echo "[release check] $*" >&2; exit 1; }

version="$(node -p "require('./package.json').version")"
[ "$tag" = "$version" ] || fail "the tag $tag is not package.json's version $version: tag the commit \`npm run release\` made"
grep -Eq "^## \\[?${version//./\\.}\\]?( |$)" CHANGELOG.md || fail "CHANGELOG.md has no section \"## $version\""

if [ -n "${GITHUB_REPOSITORY:-}" ]; then
	repository="$(node -p "const r = require('./package.json').repository; (typeof r === 'string' ? r : r.url)")"
	normalized="$(echo "$repository" | sed -E 's#^git\+##; s#\.git$##')"
	expected="${GITHUB_SERVER_URL:-https://github.com}/$GITHUB_REPOSITORY"
	[ "$normalized" = "$expected" ] ||
		fail "package.json's repository is $repository, this is $expected: npm would reject the provenance statement. Change the placeholder owner (docs/releasing.md, \"When the repository is created\")"
	npm_version="$(npm --version)"
	node -e "const [a, b, c] = process.argv[1].split('.').map(Number); process.exit(a > 11 || (a === 11 && (b > 5 || (b === 5 && c >= 1))) ? 0 : 1)" "$npm_version" ||
		fail "npm $npm_version cannot publish through trusted publishing (OIDC): 11.5.1 or later is needed"
fi
echo "[release check] $tag: package.json, CHANGELOG.md${GITHUB_REPOSITORY:+, repository $GITHUB_REPOSITORY and npm $(npm --version)} agree"
