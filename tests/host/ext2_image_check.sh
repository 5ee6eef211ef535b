#!/bin/sh
# Runs ext2_image_check on each geometry: 1 and 4 KiB blocks, 128- and 256-byte inodes.
# usage: ext2_image_check.sh <ext2_image_check binary> <work directory> <operations>
set -e
binary=$1
work=$2
operations=$3
for geometry in "1024 128 1" "4096 256 2" "1024 256 3" "4096 128 4"; do
    set -- $geometry
    "$binary" "$work/$1-$2" "$1" "$2" "$3" "$operations"
done
