# The one flow of the scripts/install-*.sh scripts, sourced at their end: report the program
# when it is there, else install its Debian package (as root), run the script's optional
# `after_install` and report again. The sourcing script sets LABEL and PACKAGE and defines
# `present` (is the program installed?) and `version` (what to print about it).

if present; then
    echo "$LABEL found: $(version)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "$LABEL is not installed; run as root or: sudo apt-get install -y $PACKAGE" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$PACKAGE"
if declare -F after_install >/dev/null; then
    after_install
fi
echo "$LABEL installed: $(version)"
