# $name: $points points. Same checks as `lrlab grade --only $name`.
from lrlab.classroom.cells import check
check("$name")
### BEGIN HIDDEN TESTS
from lrlab.classroom.cells import award
award("$name", $points)
### END HIDDEN TESTS
