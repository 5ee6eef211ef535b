# dash -c: a here-document, read by the read builtin. dash passes a here-document through a
# pipe, so this needs pipe(); the exit status is the verdict.
name=axolotl
read -r first second <<EOF
$name here-document
EOF
echo "here-document: $first $second"
[ "$first $second" = "axolotl here-document" ]
