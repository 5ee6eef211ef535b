# dash -c: builtins only (no program from the file system, no pipe): variables, functions,
# loops, case, arithmetic, printf, test, a subshell (a fork), $?, set -e and trap on EXIT.
echo "--- dash begins"
name=axolotl
echo "name=$name length=${#name} without-prefix=${name#axo} without-suffix=${name%otl}"
echo "default=${unset_variable:-fallback} assigned=${assigned:=now} then=$assigned"
i=0 sum=0
while [ $i -lt 10 ]; do
    i=$((i + 1))
    sum=$((sum + i * i))
done
echo "sum of squares 1..10 = $sum; 17 / 5 = $((17 / 5)), 17 % 5 = $((17 % 5)), 1 << 10 = $((1 << 10))"
factorial() {
    result=1
    n=$1
    until [ "$n" -le 1 ]; do
        result=$((result * n))
        n=$((n - 1))
    done
}
factorial 10
echo "10! = $result"
for word in apple 42 -x "two words" ''; do
    case $word in
    [0-9]*) echo "'$word' is a number" ;;
    -*) echo "'$word' is an option" ;;
    *' '*) echo "'$word' has a space" ;;
    '') echo "'' is empty" ;;
    *) echo "'$word' is a word" ;;
    esac
done
printf '%s|%5d|%-4s|%x|%o|%c|%%\n' text 42 ab 255 8 Zed
printf '%s-' one two three
echo
[ -z "" ] && [ -n x ] && [ 3 -gt 2 ] && [ abc != abd ] && ! [ 1 -eq 2 ] && echo "test: all true"
test 5 -le 4 || echo "test: 5 -le 4 is false"
false
echo "false gives $?"
(exit 7)
echo "a subshell's exit 7 gives $?"
x=outer
(x=inner; echo "in the subshell x=$x")
echo "after the subshell x=$x"
is_even() { return $(($1 % 2)); }
for n in 1 2 3 4; do
    if is_even $n; then echo "$n is even"; else echo "$n is odd"; fi
done
set -- alpha beta gamma
echo "$# arguments: $*"
shift
echo "after shift: $1 $2 ($#)"
(set -e; echo "set -e: before false"; false; echo "set -e: never printed")
echo "set -e ended its subshell with $?"
(trap 'echo "trap: the EXIT trap ran"' EXIT; echo "trap: the body ran")
count=0
while :; do
    count=$((count + 1))
    [ $count -lt 3 ] && continue
    break
done
echo "continue and break: count=$count"
echo "--- dash ends"
