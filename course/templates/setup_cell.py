# Setup (do not edit): the checks grade schedulers/ next to this notebook in a separate Python process.
from lrlab.classroom.cells import check
