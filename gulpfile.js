// tsc does not copy images: put the icons where the built node and credential point at them.
const { src, dest, parallel } = require('gulp');

function nodeIcons() {
	return src('icons/*.svg', { encoding: false }).pipe(dest('dist/icons'));
}

function codexFiles() {
	return src('nodes/**/*.node.json').pipe(dest('dist/nodes'));
}

exports['build:icons'] = parallel(nodeIcons, codexFiles);
